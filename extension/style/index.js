import './base.css';
import './table.css';
import './artifacts.css';
