import './base.css';
import './table.css';
import './analysis.css';
import './artifacts.css';
